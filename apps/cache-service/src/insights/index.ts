import type { Provider, Type } from '@nestjs/common';

/** This area's TypeORM entities, controllers and providers; AppModule registers them (one module, so areas can inject each other's services). */
export const INSIGHTS_ENTITIES: Type[] = [];
export const INSIGHTS_CONTROLLERS: Type[] = [];
export const INSIGHTS_PROVIDERS: Provider[] = [];
