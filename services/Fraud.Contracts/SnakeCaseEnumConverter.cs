using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fraud.Contracts;

/// <summary>Enum values as snake_case strings (<c>card_present</c>, <c>confirmed_fraud</c>), as <see cref="WireNames"/> spells them.</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
