// Names the pages share: the pipeline's stages in order, run states and agent roles, as the API
// writes them.

export const STAGES = ['intake', 'document_parsing', 'outline', 'structure_critique', 'research',
  'chapter_writing', 'editing', 'fact_check', 'assembly'];

export const RUN_STATES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'];

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
