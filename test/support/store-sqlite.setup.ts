/** jest project `sqlite` (jest.config.js): this file's servers keep their data in SQLite, the default. */
import { useStore } from './test-store';

useStore('sqlite');
