import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PLATFORM_CONFIG } from '@app/common';
import type { RouterConfig } from '../config.js';
import { StaffAccountsRepository } from './staff-accounts.repository.js';
import { StaffGuard } from './staff-auth.js';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [PLATFORM_CONFIG],
      useFactory: (config: RouterConfig) => ({
        secret: config.env.ROUTER_JWT_SECRET,
        signOptions: { algorithm: 'HS256', expiresIn: '12h' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [StaffGuard, StaffAccountsRepository],
  exports: [StaffGuard, StaffAccountsRepository, JwtModule],
})
export class AuthModule {}
