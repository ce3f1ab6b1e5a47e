using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fraud.Contracts;

namespace Fraud.Api.Apis;

/// <summary>What analysts send (reviews, case actions): JSON bodies, notes and names, checked the same way everywhere.</summary>
internal static class AnalystInput
{
    public const int MaxNoteLength = 2_000;

    /// <summary>A body of a few names and a note of 2,000 characters, each escaped as \uXXXX at worst.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>C0 controls but tab, line feed and carriage return: nothing a note needs, and NUL is refused by PostgreSQL's text.</summary>
    private static readonly System.Buffers.SearchValues<char> ControlsInText = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    /// <summary>
    /// The body as <typeparamref name="T"/>, or the errors that say why not; <paramref name="enumFields"/>
    /// gives the message for a field whose value is not one of its names.
    /// </summary>
    public static T? Read<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> type, List<FieldError> errors, IReadOnlyDictionary<string, string>? enumFields = null)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize(body, type);
            if (value is null)
            {
                errors.Add(new FieldError("$", "send a JSON object"));
            }

            return value;
        }
        catch (InvalidOperationException)
        {
            // The reader decodes strings lazily and throws this (not a JsonException) for bytes that
            // are not UTF-8 or a \u escape of half a surrogate pair.
            errors.Add(new FieldError("$", "is not valid text: bytes that are not UTF-8, or a \\u escape of half a surrogate pair"));
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "$";
            errors.Add(new FieldError(path, enumFields?.GetValueOrDefault(path) ?? "is not valid JSON of the expected type"));
        }

        return null;
    }

    public static void CheckNote(string? note, string field, List<FieldError> errors)
    {
        if (note is { Length: > MaxNoteLength })
        {
            errors.Add(new FieldError(field, $"must be at most {MaxNoteLength} characters"));
        }
        else if (note is not null && note.AsSpan().ContainsAny(ControlsInText))
        {
            errors.Add(new FieldError(field, "must not hold control characters other than tab and line breaks"));
        }
    }

    /// <summary>A person's or key's name: 1 to 128 characters, no controls.</summary>
    public static void CheckName(string? name, string field, List<FieldError> errors)
    {
        if (name is null)
        {
            return;
        }

        if (name.Length is 0 or > TransactionRules.MaxIdLength || string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new FieldError(field, $"must be 1 to {TransactionRules.MaxIdLength} characters"));
        }
        else if (name.AsSpan().ContainsAnyInRange('\u0000', '\u001f'))
        {
            errors.Add(new FieldError(field, "must not hold control characters"));
        }
    }
}
