// Starts the local services shared by the whole test run (DynamoDB Local)
// once, on free ports, and stops them after. Filled in by the foundation work.
export default async function setup() {}
