using System.Text.Json;
using Drogulus.Core.Items;

namespace Drogulus.Node;

/// <summary>
/// The values the node keeps published for its own publisher key (PROTOCOL §10: put again before
/// <c>max-item-age</c>), saved as JSON in the data directory so that a restarted node resumes them. It grows
/// only with the operator's own puts; <c>unput</c> removes a value. Written whole on every change (small).
/// </summary>
internal sealed class KeptItemsFile(string path)
{
    private readonly Lock _lock = new();

    /// <summary>The kept values, or none when the file does not exist.</summary>
    public IReadOnlyList<KeptItem> Load()
    {
        lock (_lock)
        {
            if (!File.Exists(path))
            {
                return [];
            }

            try
            {
                var rows = JsonSerializer.Deserialize<List<Row>>(File.ReadAllText(path)) ?? [];
                return rows.Select(r => new KeptItem(r.Name, Convert.FromBase64String(r.Value), r.Meta ?? new Dictionary<string, string>())).ToArray();
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                throw new CliException($"cannot read the kept values {path}: {e.Message}");
            }
        }
    }

    /// <summary>Adds or replaces the value of <paramref name="item"/>'s name.</summary>
    public void Keep(KeptItem item)
    {
        lock (_lock)
        {
            var rows = Load().Where(k => k.Name != item.Name).Append(item);
            Save(rows);
        }
    }

    /// <summary>Removes the value named <paramref name="name"/>; false when it was not kept.</summary>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            var rows = Load();
            var rest = rows.Where(k => k.Name != name).ToArray();
            Save(rest);
            return rest.Length != rows.Count;
        }
    }

    private void Save(IEnumerable<KeptItem> items)
    {
        var rows = items.OrderBy(i => i.Name, StringComparer.Ordinal)
            .Select(i => new Row(i.Name, Convert.ToBase64String(i.Value.Span), new Dictionary<string, string>(i.Meta)))
            .ToList();

        // Written beside the file and moved over it, so a crash leaves the old list or the new one, never half.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(rows));
        File.Move(temporary, path, overwrite: true);
    }

    private sealed record Row(string Name, string Value, Dictionary<string, string>? Meta);
}
