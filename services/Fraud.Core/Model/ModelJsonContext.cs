using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Contracts;

namespace Fraud.Core.Model;

/// <summary>JSON of the model file's entries.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(SnakeCaseEnumConverter<ModelKind>)])]
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(TreeEnsembleData))]
[JsonSerializable(typeof(PcaData))]
[JsonSerializable(typeof(SupervisedModelFile))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;

/// <summary>The supervised model entry: the trees and the calibration on top of them.</summary>
internal sealed record SupervisedModelFile(double Scale, double Offset, TreeEnsembleData Ensemble);
