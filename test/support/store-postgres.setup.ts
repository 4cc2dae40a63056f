/** jest project `postgres` (jest.config.js): this file's servers keep their data in a real PostgreSQL. */
import { stopTestPostgres, useStore } from './test-store';

useStore('postgres');
afterAll(() => stopTestPostgres());
