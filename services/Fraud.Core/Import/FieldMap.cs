using Fraud.Contracts;

namespace Fraud.Core.Import;

/// <summary>
/// Which column of a file holds each canonical field: the user's <c>--map field=column</c> first,
/// then the canonical name (snake_case or camelCase, any case), then names common in public
/// datasets (e.g. <c>TX_AMOUNT</c>, <c>CUSTOMER_ID</c>, <c>TERMINAL_ID</c>).
/// </summary>
public sealed class FieldMap
{
    private static readonly Dictionary<CanonicalField, string[]> Aliases = new()
    {
        [CanonicalField.TransactionId] = ["tx_id", "trans_num", "transaction", "id"],
        [CanonicalField.AccountId] = ["customer_id", "card_id", "cc_num", "card_number", "account", "customer"],
        [CanonicalField.Timestamp] = ["tx_datetime", "datetime", "trans_date_trans_time", "event_time", "time", "date"],
        [CanonicalField.Amount] = ["tx_amount", "amt", "value"],
        [CanonicalField.MerchantId] = ["terminal_id", "merchant", "terminal"],
        [CanonicalField.MerchantCategory] = ["category", "mcc"],
        [CanonicalField.IsFraud] = ["tx_fraud", "fraud", "label", "class"],
        [CanonicalField.FraudScenario] = ["tx_fraud_scenario", "scenario"],
        [CanonicalField.DeviceId] = ["device"],
        [CanonicalField.Latitude] = ["lat"],
        [CanonicalField.Longitude] = ["lon", "long", "lng"],
    };

    private readonly Dictionary<CanonicalField, string> _explicit;

    private FieldMap(Dictionary<CanonicalField, string> explicitColumns) => _explicit = explicitColumns;

    public static FieldMap Default { get; } = new([]);

    /// <summary>Parses <c>field=column</c> specs; throws <see cref="ArgumentException"/> naming a bad spec.</summary>
    public static FieldMap Parse(IEnumerable<string> specs)
    {
        var map = new Dictionary<CanonicalField, string>();
        foreach (var spec in specs)
        {
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == spec.Length - 1)
            {
                throw new ArgumentException($"'{spec}' is not field=column.");
            }

            var name = spec[..equals].Trim();
            if (!CanonicalFields.TryParse(name, out var field))
            {
                throw new ArgumentException($"'{name}' is not a field; the fields are {string.Join(", ", CanonicalFields.All)}.");
            }

            if (!map.TryAdd(field, spec[(equals + 1)..].Trim()))
            {
                throw new ArgumentException($"field '{name}' is mapped twice.");
            }
        }

        return new FieldMap(map);
    }

    /// <summary>For each canonical field, the index of its column in <paramref name="columns"/>, or −1.</summary>
    public int[] Resolve(IReadOnlyList<string> columns, string file)
    {
        var result = new int[CanonicalFields.Count];
        for (var f = 0; f < result.Length; f++)
        {
            var field = (CanonicalField)f;
            if (_explicit.TryGetValue(field, out var column))
            {
                result[f] = IndexOf(columns, column, normalise: false);
                if (result[f] < 0)
                {
                    throw new ImportException(file, 1, string.Empty, 1,
                        $"--map {CanonicalFields.Name(field)}={column}: the file has no column '{column}'; its columns are {string.Join(", ", columns)}");
                }

                continue;
            }

            result[f] = IndexOf(columns, CanonicalFields.Name(field), normalise: true);
            if (result[f] < 0 && Aliases.TryGetValue(field, out var aliases))
            {
                foreach (var alias in aliases)
                {
                    var index = IndexOf(columns, alias, normalise: true);
                    if (index >= 0 && Array.IndexOf(result, index) < 0)
                    {
                        result[f] = index;
                        break;
                    }
                }
            }
        }

        for (var f = 0; f < result.Length; f++)
        {
            var field = (CanonicalField)f;
            if (result[f] < 0 && CanonicalFields.IsRequired(field))
            {
                var name = CanonicalFields.Name(field);
                throw new ImportException(file, 1, string.Empty, 1,
                    $"required field '{name}' not found among the columns {string.Join(", ", columns)}; map it with --map {name}=COLUMN");
            }
        }

        return result;
    }

    /// <summary>
    /// The field a JSON property names, and how strongly (0 explicit map, 1 canonical name, 2 alias):
    /// when two properties name one field, the stronger wins.
    /// </summary>
    public (CanonicalField Field, int Priority)? FieldOfKey(string key)
    {
        foreach (var (field, column) in _explicit)
        {
            if (column == key)
            {
                return (field, 0);
            }
        }

        var normalised = Normalise(key);
        for (var f = 0; f < CanonicalFields.Count; f++)
        {
            var field = (CanonicalField)f;
            if (!_explicit.ContainsKey(field) && Normalise(CanonicalFields.Name(field)) == normalised)
            {
                return (field, 1);
            }
        }

        foreach (var (field, aliases) in Aliases)
        {
            if (!_explicit.ContainsKey(field) && aliases.Any(a => Normalise(a) == normalised))
            {
                return (field, 2);
            }
        }

        return null;
    }

    /// <summary>Fields mapped explicitly, which every row must then carry under that name.</summary>
    public IReadOnlyDictionary<CanonicalField, string> Explicit => _explicit;

    private static int IndexOf(IReadOnlyList<string> columns, string name, bool normalise)
    {
        var wanted = normalise ? Normalise(name) : name;
        for (var i = 0; i < columns.Count; i++)
        {
            var column = normalise ? Normalise(columns[i]) : columns[i];
            if (string.Equals(column, wanted, normalise ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>snake_case, camelCase and kebab-case all compare equal: only letters and digits count.</summary>
    private static string Normalise(string name)
    {
        Span<char> buffer = stackalloc char[name.Length];
        var n = 0;
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c))
            {
                buffer[n++] = char.ToLowerInvariant(c);
            }
        }

        return new string(buffer[..n]);
    }
}
