import type { Provider, Type } from '@nestjs/common';

/** This area's TypeORM entities, controllers and providers; AppModule registers them (one module, so areas can inject each other's services). */
export const DB_PERFORMANCE_ENTITIES: Type[] = [];
export const DB_PERFORMANCE_CONTROLLERS: Type[] = [];
export const DB_PERFORMANCE_PROVIDERS: Provider[] = [];
