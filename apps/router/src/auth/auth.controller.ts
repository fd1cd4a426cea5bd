import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ZodBody } from '../common/zod-body.pipe.js';
import { loginSchema, type LoginDto } from './staff-accounts.dto.js';
import { StaffAccountsService } from './staff-accounts.service.js';
import { CurrentStaff, Roles, StaffGuard, type StaffUser } from './staff-auth.js';

@Controller('auth')
export class AuthController {
  constructor(private readonly accounts: StaffAccountsService) {}

  @Post('login')
  @HttpCode(200)
  login(@Body(new ZodBody(loginSchema)) dto: LoginDto) {
    return this.accounts.login(dto.username, dto.password);
  }

  @Get('me')
  @UseGuards(StaffGuard)
  @Roles('desk', 'unit', 'supervisor', 'admin')
  me(@CurrentStaff() staff: StaffUser) {
    return staff;
  }
}
