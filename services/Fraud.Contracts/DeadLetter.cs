namespace Fraud.Contracts;

/// <summary>
/// A message the detector could not use, as published on <c>transactions-deadletter</c>: the
/// original payload (text, or base64 when it was not UTF-8), why it was refused, and when.
/// </summary>
public sealed record DeadLetter(
    string Topic,
    string? EntryId,
    string Payload,
    IReadOnlyList<FieldError> Errors,
    DateTimeOffset ReceivedAt);
