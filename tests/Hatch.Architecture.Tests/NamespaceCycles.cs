using ArchUnitNET.Domain;

namespace Hatch.Architecture.Tests;

/// <summary>
/// Finds groups of our namespaces that use each other (strongly connected components of the namespace graph built
/// from every type's dependencies), each described with one type-to-type use per edge so the fix is findable.
/// </summary>
public static class NamespaceCycles
{
    public static IReadOnlyList<string> Find(ArchUnitNET.Domain.Architecture architecture)
    {
        var edges = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in architecture.Types)
        {
            var from = Namespace(type);
            if (!from.StartsWith("Hatch", StringComparison.Ordinal) || IsGenerated(type)) continue;
            foreach (var dependency in type.Dependencies)
            {
                var to = Namespace(dependency.Target);
                if (to == from || !to.StartsWith("Hatch", StringComparison.Ordinal)) continue;
                if (!edges.TryGetValue(from, out var targets)) edges[from] = targets = [];
                targets.TryAdd(to, $"{type.FullName} → {dependency.Target.FullName}");
            }
        }
        return StronglyConnected(edges)
            .Where(c => c.Count > 1)
            .Select(c => string.Join(", ", c.Order()) + ":\n  " + string.Join("\n  ",
                c.SelectMany(a => edges.GetValueOrDefault(a, []).Where(e => c.Contains(e.Key)).Select(e => e.Value))))
            .ToArray();
    }

    private static string Namespace(IType type) => type.Namespace?.FullName ?? "";

    // Migrations are generated code whose namespaces follow the tool, not ours.
    private static bool IsGenerated(IType type) => Namespace(type).Contains(".Migrations", StringComparison.Ordinal);

    /// <summary>Tarjan's algorithm over the namespace graph.</summary>
    private static List<HashSet<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> edges)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<HashSet<string>>();
        var counter = 0;

        void Visit(string node)
        {
            index[node] = low[node] = counter++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in edges.GetValueOrDefault(node, []).Keys)
            {
                if (!index.ContainsKey(next)) { Visit(next); low[node] = Math.Min(low[node], low[next]); }
                else if (onStack.Contains(next)) low[node] = Math.Min(low[node], index[next]);
            }
            if (low[node] != index[node]) return;
            var component = new HashSet<string>();
            string member;
            do { member = stack.Pop(); onStack.Remove(member); component.Add(member); } while (member != node);
            components.Add(component);
        }

        foreach (var node in edges.Keys.Concat(edges.Values.SelectMany(t => t.Keys)).Distinct().ToArray())
            if (!index.ContainsKey(node)) Visit(node);
        return components;
    }
}
