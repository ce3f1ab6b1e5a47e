namespace Fraud.Contracts;

/// <summary>
/// The rules a transaction obeys, wherever it comes from: the API's JSON, a Dapr delivery, a CSV
/// file. Each check returns null when the value is valid, else the problem as a phrase that follows
/// the field's name or value ("must be greater than 0"); readers add where it was.
/// </summary>
public static class TransactionRules
{
    public const int MaxIdLength = 128;

    /// <summary>Largest amount accepted: beyond it a value is a unit or parsing mistake, not a payment.</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>Smallest amount accepted: below it no currency has a unit (a unit or parsing mistake).</summary>
    public const decimal MinAmount = 0.00000001m;

    /// <summary>
    /// Most significant digits of an amount: what <see cref="decimal"/> and the ledgers keep exactly,
    /// so an accepted amount is never rounded.
    /// </summary>
    public const int MaxAmountDigits = 28;

    /// <summary>Earliest timestamp accepted; with <see cref="Latest"/> it fits the profiles' compact time (seconds since 2000 in an int).</summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Latest = new(2067, 12, 31, 23, 59, 59, TimeSpan.Zero);

    public const double MaxLatitude = 90;

    public const double MaxLongitude = 180;

    public const string CurrencyRule = "an ISO 4217 currency code (3 letters)";

    public const string CountryRule = "an ISO 3166 alpha-2 country code (2 letters)";

    /// <summary>The characters an id may hold (<see cref="CheckId"/>), as the error messages and the JSON Schemas say it.</summary>
    public const string IdAlphabet = "letters A-Z and a-z, digits and . _ : @ + = ~ -";

    /// <summary>
    /// Ids: transaction, account, merchant, merchant category, device. An id travels as a URL path
    /// segment (the API's <c>/transactions/{id}</c>; Dapr's actor API, into which the .NET actor
    /// client puts the id unescaped), inside Dapr state keys (where <c>||</c> is the separator daprd
    /// refuses in a key: dapr pkg/components/state/state_config.go, <c>checkKeyIllegal</c>) and as
    /// the Kafka message key; an id that breaks one of them would make a delivery fail on every
    /// retry and stall its partition. So the alphabet is one that all of them carry as it is.
    /// </summary>
    public static string? CheckId(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return "must not be empty";
        }

        if (value.Length > MaxIdLength)
        {
            return $"must be at most {MaxIdLength} characters";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '@' or '+' or '=' or '~' or '-'))
            {
                var shown = c is > ' ' and < '\u007f' ? $"'{c}'" : $"U+{(int)c:X4}";
                return $"may hold only {IdAlphabet} ({shown} at position {i + 1} is not one of them)";
            }
        }

        return null;
    }

    public static string? CheckAmount(decimal amount) => amount switch
    {
        <= 0 => "must be greater than 0",
        < MinAmount => $"must be at least {MinAmount:0.########}",
        > MaxAmount => $"must be at most {MaxAmount:0}",
        _ => null,
    };

    /// <summary>
    /// The amount as written: more significant digits than <see cref="MaxAmountDigits"/> would be
    /// rounded by any parser, so they are refused rather than changed without a word.
    /// </summary>
    public static string? CheckAmountDigits(ReadOnlySpan<char> text)
    {
        var exponent = text.IndexOfAny('e', 'E');
        var mantissa = exponent < 0 ? text : text[..exponent];
        var point = mantissa.IndexOf('.');
        var digits = 0;
        var trailingZeros = 0;
        var leading = true;
        for (var i = 0; i < mantissa.Length; i++)
        {
            var c = mantissa[i];
            if (c is < '0' or > '9')
            {
                continue;
            }

            if (leading && c == '0')
            {
                continue;
            }

            leading = false;
            digits++;
            // Zeros at the end of a fraction hold nothing; at the end of an integer they are its size.
            trailingZeros = c == '0' && point >= 0 && i > point ? trailingZeros + 1 : 0;
        }

        return digits - trailingZeros > MaxAmountDigits
            ? $"has more than {MaxAmountDigits} significant digits, which no amount needs and which cannot be kept exactly"
            : null;
    }

    public static string? CheckTimestamp(DateTimeOffset utc) =>
        utc < Earliest || utc > Latest ? "must be between 2000-01-01 and 2067-12-31" : null;

    public static string? CheckCoordinate(double value, double limit) =>
        !double.IsFinite(value) || Math.Abs(value) > limit ? $"must be between -{limit} and {limit}" : null;

    /// <summary>A currency (length 3) or country (length 2) code in upper case, or null when it is not one.</summary>
    public static string? NormaliseCode(ReadOnlySpan<char> text, int length)
    {
        if (text.Length != length)
        {
            return null;
        }

        Span<char> upper = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            if (!char.IsAsciiLetter(text[i]))
            {
                return null;
            }

            upper[i] = char.ToUpperInvariant(text[i]);
        }

        return new string(upper);
    }
}
