import { describe, expect, it } from 'vitest';
import { layoutLayers } from './graph-layout.js';

describe('layoutLayers', () => {
  it('puts each node one layer right of its deepest caller', () => {
    const layout = layoutLayers(
      ['ingress', 'web', 'api', 'db', 'dns'],
      [
        { from: 'ingress', to: 'web' },
        { from: 'web', to: 'api' },
        { from: 'api', to: 'db' },
        { from: 'web', to: 'db' },
        { from: 'api', to: 'dns' },
      ],
    );
    const layer = (id: string): number | undefined => layout.positions.get(id)?.layer;
    expect([layer('ingress'), layer('web'), layer('api'), layer('db'), layer('dns')]).toEqual([
      0, 1, 2, 3, 3,
    ]);
    expect(layout.width).toBeGreaterThan(0);
  });

  it('terminates on cycles and places every node exactly once, without overlaps', () => {
    const nodes = ['a', 'b', 'c', 'd'];
    const layout = layoutLayers(nodes, [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'a' },
      { from: 'd', to: 'd' },
      { from: 'x', to: 'a' },
    ]);
    expect([...layout.positions.keys()].sort()).toEqual(nodes);
    const spots = [...layout.positions.values()].map((p) => `${p.x},${p.y}`);
    expect(new Set(spots).size).toBe(spots.length);
  });

  it('orders a layer by its neighbours to avoid crossings', () => {
    // s1→t1, s2→t2: the targets keep the sources' order whatever their names.
    const layout = layoutLayers(
      ['s1', 's2', 'z-target', 'a-target'],
      [
        { from: 's1', to: 'z-target' },
        { from: 's2', to: 'a-target' },
      ],
    );
    const y = (id: string): number => layout.positions.get(id)?.y ?? Number.NaN;
    expect(y('z-target')).toBeLessThan(y('a-target'));
  });
});
