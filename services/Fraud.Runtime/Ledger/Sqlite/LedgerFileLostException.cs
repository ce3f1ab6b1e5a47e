namespace Fraud.Runtime.Ledger.Sqlite;

/// <summary>
/// The SQLite ledger file was deleted or replaced while the service ran: nothing more is committed
/// (or acknowledged) until the service is restarted on a ledger file it can keep.
/// </summary>
public sealed class LedgerFileLostException(string path, string what)
    : IOException($"The ledger file {path} {what} while the service ran; nothing more is acknowledged. Restore it or restart the service on a new ledger.");
