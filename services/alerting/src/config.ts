import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { RuntimeConfig } from '@vigil/config';

export class AlertingConfig extends RuntimeConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT = 3003;
}
