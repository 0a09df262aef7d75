import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ID_PATTERN } from '@vigil/contracts';
import { ApplyRuleChangeRequest, RuleChangeRequest } from '@vigil/rules';

const TenantId = () => Matches(ID_PATTERN, { message: 'tenantId must be 1-128 characters of letters, digits and ._:@/+=-' });
const RuleId = () => Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'ruleId must be a rule id (kebab-case)' });

export class RulesQuery {
  @IsOptional()
  @TenantId()
  tenantId?: string;
}

/** velocity's RuleChangeRequest (the same validation), plus the rule and the tenant. */
export class RulePreviewRequest extends RuleChangeRequest {
  @IsOptional()
  @TenantId()
  tenantId?: string;

  @IsString()
  @MaxLength(64)
  @RuleId()
  ruleId!: string;
}

export class RuleApplyRequest extends ApplyRuleChangeRequest {
  @IsOptional()
  @TenantId()
  tenantId?: string;

  @IsString()
  @MaxLength(64)
  @RuleId()
  ruleId!: string;
}
