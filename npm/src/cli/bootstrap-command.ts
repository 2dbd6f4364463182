/** `flux-azdo bootstrap git`. */
import { FluxAzdoError } from '../errors.js';

export async function runBootstrap(argv: string[]): Promise<number> {
  const [provider] = argv;
  if (provider !== 'git') {
    throw new FluxAzdoError('USAGE', 'usage: flux-azdo bootstrap git [flags]; Azure DevOps repositories use the generic git provider');
  }
  throw new FluxAzdoError('INTERNAL', 'bootstrap git is not implemented yet');
}
