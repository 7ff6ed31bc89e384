/** The five specialised roles of the model pool: what each enrichment task and chat lookup asks for. */
export const MODEL_ROLES = ['codegen', 'review', 'docs', 'issues', 'security'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];
