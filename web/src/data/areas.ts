// The programme's areas: the five governorates of the Gaza Strip, keyed by the area ids
// events use (lower-case OCHA P-codes, as in src/scenario/data.cc).
import geo from './gaza-governorates.json';

export const GAZA_GEOJSON = geo as unknown as { type: 'FeatureCollection'; features: { properties: { name: string; label: string } }[] };

export const AREA_NAMES: Record<string, string> = Object.fromEntries(
  GAZA_GEOJSON.features.map((f) => [f.properties.name, f.properties.label]),
);

export function areaName(id: string): string {
  return AREA_NAMES[id] ? `${AREA_NAMES[id]} (${id})` : id || '—';
}
