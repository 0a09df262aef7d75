import { Controller, ForbiddenException, Get, Header, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiNoContentResponse, ApiOkResponse, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { AnalystAuthGuard, cookieToken, sameOrigin, TOKEN_COOKIE } from '../users/analyst-auth.guard';

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
 * The ops dashboard: one static HTML+JS file, no build step. It sends the token once to
 * /v1/session (Authorization: Bearer, checked by AnalystAuthGuard like every /v1 route), which
 * answers with an HttpOnly, SameSite=Strict cookie (Secure over TLS): page scripts never hold the
 * token afterwards.
 */
@ApiTags('dashboard')
@Controller()
export class DashboardController {
  private readonly html = readFileSync(path.join(__dirname, 'dashboard.html'), 'utf8');
  private readonly csp = contentSecurityPolicy(this.html);

  @Get('dashboard')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'the dashboard page (its own Content-Security-Policy)', schema: { type: 'string' } })
  page(@Res({ passthrough: true }) res: Response): string {
    res.setHeader('content-security-policy', this.csp);
    return this.html;
  }

  /** The guard admitted the bearer token; the cookie carries the same token from now on. */
  @Post('v1/session')
  @HttpCode(204)
  @UseGuards(AnalystAuthGuard)
  @ApiSecurity('bearer')
  @ApiNoContentResponse({ description: 'Set-Cookie: the HttpOnly, SameSite=Strict session cookie (12 h)' })
  login(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    if (!sameOrigin(req)) throw new ForbiddenException('cross-site login refused');
    // the bearer token, or (a session renewed) the cookie's: the guard admitted one of them
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1] ?? cookieToken(req)!;
    res.setHeader('set-cookie', sessionCookie(encodeURIComponent(token), SESSION_SECONDS, req.secure));
  }

  @Post('v1/session/delete')
  @HttpCode(204)
  @UseGuards(AnalystAuthGuard)
  @ApiSecurity('session')
  @ApiNoContentResponse({ description: 'Set-Cookie: the session cookie, expired' })
  logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.setHeader('set-cookie', sessionCookie('', 0, req.secure));
  }
}

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${TOKEN_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}
