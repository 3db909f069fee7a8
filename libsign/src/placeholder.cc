// Placeholder until the signer module lands.
namespace candor {}
