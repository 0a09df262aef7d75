import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { RuntimeConfig } from '@vigil/config';

export class VelocityConfig extends RuntimeConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT = 3001;
}
