import { Module } from '@nestjs/common';
import { IntakeConsumer } from './intake.consumer.js';
import { IntakeRepository } from './intake.repository.js';
import { IntakeService } from './intake.service.js';

@Module({ providers: [IntakeRepository, IntakeService, IntakeConsumer] })
export class IntakeModule {}
