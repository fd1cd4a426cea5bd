import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ZodBody } from '../common/zod-body.pipe.js';
import { createStaffSchema, updateStaffSchema, type CreateStaffDto, type UpdateStaffDto } from './staff-accounts.dto.js';
import { StaffAccountsService } from './staff-accounts.service.js';
import { CurrentStaff, Roles, StaffGuard, type StaffUser } from './staff-auth.js';

@Controller('admin')
@UseGuards(StaffGuard)
@Roles('admin')
export class StaffController {
  constructor(private readonly accounts: StaffAccountsService) {}

  @Post('staff')
  create(@Body(new ZodBody(createStaffSchema)) dto: CreateStaffDto) {
    return this.accounts.create(dto);
  }

  @Get('staff')
  list() {
    return this.accounts.list();
  }

  @Patch('staff/:username')
  @HttpCode(204)
  async update(@Param('username') username: string, @Body(new ZodBody(updateStaffSchema)) dto: UpdateStaffDto) {
    await this.accounts.update(username, dto);
  }

  @Post('units/:id/api-key')
  rotateKey(@Param('id') id: string, @CurrentStaff() staff: StaffUser) {
    return this.accounts.rotateApiKey(id, staff.sub);
  }

  @Delete('units/:id/api-key')
  @HttpCode(204)
  async revokeKey(@Param('id') id: string, @CurrentStaff() staff: StaffUser) {
    await this.accounts.revokeApiKey(id, staff.sub);
  }
}
