namespace Fraud.Contracts.Api;

/// <summary>The answer of <c>POST /transactions</c>: how many transactions are durable.</summary>
public sealed record IngestResponse(int Accepted);
