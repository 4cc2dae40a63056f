import { SourceLanes } from '../../../lib/server/oauth/source-lanes';

test('lets one request of a source through at a time, others of the source wait in order, other sources do not', async () => {
  const lanes = new SourceLanes();
  const order: string[] = [];
  const leaveFirst = await lanes.enter('198.51.100.1');
  const enter = async (name: string) => {
    const leave = await lanes.enter('198.51.100.1');
    order.push(name);
    return leave;
  };
  const second = enter('second');
  const third = enter('third');
  const other = await lanes.enter('203.0.113.5');
  order.push('other');
  await new Promise(resolve => setImmediate(resolve));
  expect(order).toEqual(['other']);
  leaveFirst();
  (await second)();
  (await third)();
  other();
  expect(order).toEqual(['other', 'second', 'third']);
  expect(lanes.size).toBe(0);
});
