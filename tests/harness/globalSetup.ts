export default async function globalSetup(): Promise<void> { process.env.SAMSA_PROBE = "fromsetup"; }
