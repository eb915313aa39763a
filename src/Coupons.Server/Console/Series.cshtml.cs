using Coupons.Core;

namespace Coupons.Server.WebConsole;

public sealed class SeriesListModel : ConsolePage
{
    public const int PageSize = 50;

    public string? Q { get; private set; }
    public bool Archived { get; private set; }
    public int Offset { get; private set; }
    public bool HasMore { get; private set; }
    public IReadOnlyList<Series> Items { get; private set; } = [];

    public async Task OnGetAsync(string? q, int offset = 0, bool archived = false)
    {
        Q = q?.Trim();
        Archived = archived;
        Offset = Math.Max(0, offset);
        var found = await Store.SearchSeriesAsync(Caller.OrgId, Q, Offset, PageSize + 1, withArchived: archived);
        HasMore = found.Count > PageSize;
        Items = found.Take(PageSize).ToList();
    }
}
