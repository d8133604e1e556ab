/** `/logusage digest` (SPEC §9): today's digest as it would be posted, marked as a preview (`serve` only). */

import { context, fitMessage } from '../block-kit.js';
import { buildReply } from '../blocks/common.js';
import type { Handlers } from './context.js';

export const digestCommands: Handlers<'digest'> = {
  async digest({ features }) {
    if (!features.previewDigest) {
      return {
        message: buildReply(
          ':information_source: The digest preview is not available in this process yet; the daily digest is posted after each daily run.',
          'The digest preview is not available here.',
        ),
      };
    }
    const m = await features.previewDigest();
    const note = context('_Preview: this digest was not posted._');
    return { message: fitMessage({ text: `Preview: ${m.text}`, blocks: [...m.blocks.slice(0, 48), note] }) };
  },
};
