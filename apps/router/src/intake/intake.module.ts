import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module.js';
import { IntakeConsumer } from './intake.consumer.js';
import { IntakeRepository } from './intake.repository.js';
import { IntakeService } from './intake.service.js';

@Module({ imports: [RoutingModule], providers: [IntakeRepository, IntakeService, IntakeConsumer] })
export class IntakeModule {}
