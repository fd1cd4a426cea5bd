import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { CurrentStaff, Roles, StaffGuard, type StaffUser } from '../auth/staff-auth.js';
import { ZodBody } from '../common/zod-body.pipe.js';
import {
  createUnitSchema,
  mergeUnitSchema,
  retireUnitSchema,
  ruleSchema,
  updateUnitSchema,
  type CreateUnitDto,
  type MergeUnitDto,
  type RetireUnitDto,
  type RuleDto,
  type UpdateUnitDto,
} from './registry.dto.js';
import { RegistryService } from './registry.service.js';

@Controller('admin')
@UseGuards(StaffGuard)
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Get('units')
  @Roles('admin', 'supervisor', 'desk')
  list(@Query('all') all?: string) {
    return this.registry.list(all === 'true');
  }

  @Get('units/:id')
  @Roles('admin', 'supervisor', 'desk')
  get(@Param('id') id: string) {
    return this.registry.get(id);
  }

  @Get('units/:id/history')
  @Roles('admin', 'supervisor')
  history(@Param('id') id: string) {
    return this.registry.history(id);
  }

  @Post('units')
  @Roles('admin')
  create(@Body(new ZodBody(createUnitSchema)) dto: CreateUnitDto, @CurrentStaff() staff: StaffUser) {
    return this.registry.create(dto, staff.sub);
  }

  @Patch('units/:id')
  @Roles('admin')
  update(@Param('id') id: string, @Body(new ZodBody(updateUnitSchema)) dto: UpdateUnitDto, @CurrentStaff() staff: StaffUser) {
    return this.registry.update(id, dto, staff.sub);
  }

  @Post('units/:id/merge')
  @HttpCode(200)
  @Roles('admin')
  merge(@Param('id') id: string, @Body(new ZodBody(mergeUnitSchema)) dto: MergeUnitDto, @CurrentStaff() staff: StaffUser) {
    return this.registry.merge(id, dto, staff.sub);
  }

  @Post('units/:id/retire')
  @HttpCode(200)
  @Roles('admin')
  retire(@Param('id') id: string, @Body(new ZodBody(retireUnitSchema)) dto: RetireUnitDto, @CurrentStaff() staff: StaffUser) {
    return this.registry.retire(id, dto, staff.sub);
  }

  @Get('dispatch-rules')
  @Roles('admin', 'supervisor', 'desk')
  rules() {
    return this.registry.listRules();
  }

  @Put('dispatch-rules/:id')
  @HttpCode(204)
  @Roles('admin')
  async putRule(@Param('id') id: string, @Body(new ZodBody(ruleSchema)) dto: RuleDto, @CurrentStaff() staff: StaffUser) {
    await this.registry.putRule(id, dto, staff.sub);
  }
}
