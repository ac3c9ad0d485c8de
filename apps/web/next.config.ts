import type { NextConfig } from 'next';

const config: NextConfig = {
  // The web app imports only types from these (erased at build time); listing them keeps any future
  // value import compiling, since the workspace packages export raw `.ts` with `.ts` import paths.
  transpilePackages: ['@parley/api', '@parley/db'],
  // `next build` for the e2e suite goes to its own folder, so it never clobbers a running `next dev`.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  // `next dev` serves its dev assets to localhost only; `pnpm dev` prints 127.0.0.1 URLs.
  allowedDevOrigins: ['127.0.0.1'],
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
