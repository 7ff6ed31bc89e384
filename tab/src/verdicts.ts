import { tokens } from '@fluentui/react-components';
import type { Verdict } from '../../src/core/chain-records';

/** Verdict colours from the theme's palette, so dark and high-contrast themes keep them legible. */
export const VERDICT_COLOUR: Record<Verdict, string> = {
  proceed: tokens.colorPaletteGreenForeground1,
  dampen: tokens.colorPaletteMarigoldForeground1,
  break: tokens.colorPaletteRedForeground1,
};

export const VERDICT_BADGE: Record<Verdict, 'success' | 'warning' | 'danger'> = {
  proceed: 'success',
  dampen: 'warning',
  break: 'danger',
};
