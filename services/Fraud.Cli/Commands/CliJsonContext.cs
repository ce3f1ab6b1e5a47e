using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Core.Evaluation;

namespace Fraud.Cli.Commands;

/// <summary>JSON printed by the commands. NaN (a metric without positives) prints as "NaN".</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(BacktestReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
