namespace Fraud.Contracts;

/// <summary>
/// A message the detector could not use, as published on <c>transactions-deadletter</c>: the
/// entry as delivered (JSON text, cut at 64 KiB), why it was refused, and when.
/// </summary>
public sealed record DeadLetter(
    string Topic,
    string? EntryId,
    string Payload,
    IReadOnlyList<FieldError> Errors,
    DateTimeOffset ReceivedAt);
