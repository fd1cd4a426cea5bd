import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { SupervisionController } from './supervision.controller.js';
import { SupervisionRepository } from './supervision.repository.js';
import { SupervisionService } from './supervision.service.js';

@Module({
  imports: [AuthModule, RoutingModule],
  controllers: [SupervisionController],
  providers: [SupervisionRepository, SupervisionService],
})
export class SupervisionModule {}
