// Secrets, set per stage with `npx sst secret set <Name> <value> --stage <stage>`.
export const secrets = {
  /** JSON array of private Ed25519 JWKs with kids; the first signs (see README: key rotation). */
  AuthSigningKeys: new sst.Secret('AuthSigningKeys'),
  /** The same for the pods' activity tokens alone (the provisioner's only key); kids unlike AuthSigningKeys'. */
  ActivitySigningKeys: new sst.Secret('ActivitySigningKeys'),
  /** The OIDC client's secret (Google by default). */
  OidcClientSecret: new sst.Secret('OidcClientSecret', 'unset'),
  /** A kubeconfig for clusters that are not EKS (empty on EKS). */
  Kubeconfig: new sst.Secret('Kubeconfig', ''),
};
