import { Body, Controller, ForbiddenException, Get, Header, HttpCode, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { IsString, MaxLength } from 'class-validator';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Request, Response } from 'express';
import { ANALYST_DIRECTORY, sameOrigin, TOKEN_COOKIE } from '../users/analyst-auth.guard';
import { AnalystDirectory } from '../users/analyst-users';

export class SessionRequest {
  @IsString()
  @MaxLength(1024)
  token!: string;
}

const SESSION_SECONDS = 12 * 60 * 60;

/** Content-Security-Policy of the page: its one inline script is allowed by hash, nothing else runs. */
function contentSecurityPolicy(html: string): string {
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const hash = createHash('sha256').update(script).digest('base64');
  return [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    // inline <style> and SVG style attributes of the charts; styles cannot run code
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The ops dashboard: one static HTML+JS file, no build step. It posts the token to /v1/session,
 * which answers with an HttpOnly, SameSite=Strict cookie (Secure over TLS): page scripts never
 * hold the token afterwards.
 */
@Controller()
export class DashboardController {
  private readonly html = readFileSync(path.join(__dirname, 'dashboard.html'), 'utf8');
  private readonly csp = contentSecurityPolicy(this.html);

  constructor(@Inject(ANALYST_DIRECTORY) private readonly directory: AnalystDirectory) {}

  @Get('dashboard')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(@Res({ passthrough: true }) res: Response): string {
    res.setHeader('content-security-policy', this.csp);
    return this.html;
  }

  @Post('v1/session')
  @HttpCode(204)
  login(@Body() body: SessionRequest, @Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    if (!sameOrigin(req)) throw new ForbiddenException('cross-site login refused');
    if (!this.directory.find(body.token)) throw new UnauthorizedException('missing or wrong token');
    res.setHeader('set-cookie', sessionCookie(encodeURIComponent(body.token), SESSION_SECONDS, req.secure));
  }

  @Post('v1/session/delete')
  @HttpCode(204)
  logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.setHeader('set-cookie', sessionCookie('', 0, req.secure));
  }
}

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${TOKEN_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}
