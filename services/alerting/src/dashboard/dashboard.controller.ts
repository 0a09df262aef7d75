import { Controller, Get, Header } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The ops dashboard: one static HTML+JS file, no build step; it asks for the token itself. */
@Controller()
export class DashboardController {
  private readonly html = readFileSync(path.join(__dirname, 'dashboard.html'), 'utf8');

  @Get('dashboard')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return this.html;
  }
}
