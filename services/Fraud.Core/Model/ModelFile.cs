using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fraud.Core.Features;

namespace Fraud.Core.Model;

/// <summary>
/// A model file is a zip: <c>manifest.json</c> (version, features, window, thresholds, metrics),
/// <c>model.json</c> (the compiled trees or the PCA projection) and <c>mlnet.zip</c> (the ML.NET
/// model it came from). Features are matched by name on load, so a file stays usable when the
/// engine's feature order changes, and a file needing a feature the engine lacks is refused.
/// </summary>
public static class ModelFile
{
    private const string ManifestEntry = "manifest.json";
    private const string ModelEntry = "model.json";
    private const string SourceEntry = "mlnet.zip";

    public static void Save(FraudModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Write beside and rename, so a reader never sees half a model.
        var temporary = path + ".tmp";
        using (var file = File.Create(temporary))
        {
            Save(model, file);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Writes the model file's zip to <paramref name="stream"/> (left open).</summary>
    public static void Save(FraudModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, ManifestEntry, model.Manifest, ModelJsonContext.Default.ModelManifest);
            switch (model)
            {
                case SupervisedModel supervised:
                    Write(zip, ModelEntry, new SupervisedModelFile(supervised.Scale, supervised.Offset, supervised.Ensemble.Data),
                        ModelJsonContext.Default.SupervisedModelFile);
                    break;
                case UnsupervisedModel unsupervised:
                    Write(zip, ModelEntry, unsupervised.Data, ModelJsonContext.Default.PcaData);
                    break;
                default:
                    throw new NotSupportedException($"Cannot save a {model.GetType().Name}.");
            }

            if (model.Source is { } source)
            {
                using var entry = zip.CreateEntry(SourceEntry, CompressionLevel.NoCompression).Open();
                entry.Write(source);
            }
        }
    }

    public static FraudModel Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        }

        using var file = File.OpenRead(path);
        return Load(file, path);
    }

    /// <summary>Reads a model file's zip from <paramref name="stream"/>; <paramref name="path"/> names it in errors.</summary>
    public static FraudModel Load(Stream stream, string path)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var manifest = Read(zip, ManifestEntry, ModelJsonContext.Default.ModelManifest, path);
            if (manifest.Format != ModelManifest.CurrentFormat)
            {
                throw new InvalidDataException($"Model file '{path}' has format '{manifest.Format}'; this engine reads '{ModelManifest.CurrentFormat}'.");
            }

            var map = FeatureMap(manifest, path);
            var source = ReadBytes(zip, SourceEntry);
            return manifest.Kind switch
            {
                ModelKind.Supervised => LoadSupervised(zip, manifest, map, source, path),
                ModelKind.Unsupervised => LoadUnsupervised(zip, manifest, map, source, path),
                _ => throw new InvalidDataException($"Model file '{path}' has unknown kind '{manifest.Kind}'."),
            };
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidDataException && !e.Message.StartsWith("Model file", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Model file '{path}' cannot be read: {e.Message}", e);
        }
    }

    private static SupervisedModel LoadSupervised(ZipArchive zip, ModelManifest manifest, int[] map, byte[]? source, string path)
    {
        var file = Read(zip, ModelEntry, ModelJsonContext.Default.SupervisedModelFile, path);
        var data = file.Ensemble with { Features = Array.ConvertAll(file.Ensemble.Features, f => Remap(map, f, path)) };
        return new SupervisedModel(manifest, new TreeEnsemble(data), file.Scale, file.Offset) { Source = source };
    }

    private static UnsupervisedModel LoadUnsupervised(ZipArchive zip, ModelManifest manifest, int[] map, byte[]? source, string path)
    {
        var data = Read(zip, ModelEntry, ModelJsonContext.Default.PcaData, path);
        data = data with { Features = Array.ConvertAll(data.Features, f => Remap(map, f, path)) };
        return new UnsupervisedModel(manifest, data) { Source = source };
    }

    /// <summary>For each of the file's feature positions, the engine's index of that feature.</summary>
    private static int[] FeatureMap(ModelManifest manifest, string path)
    {
        var engine = FeatureVector.Names;
        var map = new int[manifest.Features.Count];
        for (var i = 0; i < map.Length; i++)
        {
            var index = IndexOf(engine, manifest.Features[i]);
            map[i] = index >= 0
                ? index
                : throw new InvalidDataException(
                    $"Model file '{path}' needs feature '{manifest.Features[i]}', which this engine does not compute; retrain the model with `fraud train`.");
        }

        return map;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static int Remap(int[] map, int feature, string path) =>
        feature >= 0 && feature < map.Length
            ? map[feature]
            : throw new InvalidDataException($"Model file '{path}' refers to feature #{feature}, beyond its feature list.");

    private static void Write<T>(ZipArchive zip, string name, T value, JsonTypeInfo<T> type)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        JsonSerializer.Serialize(stream, value, type);
    }

    private static T Read<T>(ZipArchive zip, string name, JsonTypeInfo<T> type, string path)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"Model file '{path}' has no {name}.");
        using var stream = entry.Open();
        return JsonSerializer.Deserialize(stream, type) ?? throw new InvalidDataException($"Model file '{path}' has an empty {name}.");
    }

    private static byte[]? ReadBytes(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        if (entry is null)
        {
            return null;
        }

        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
