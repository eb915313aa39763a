using System.Globalization;
using System.Text;
using Coupons.Storage;

namespace Coupons.Server.Formats;

/// <summary>
/// Exports as CSV (RFC 4180, UTF-8, a header row), written row by row as the store reads them, so an export of
/// millions of rows holds one row and a 64 KB buffer. Times are in the organisation's zone with their offset
/// (2026-12-02T21:26:59+05:45); amounts are exact decimals with a dot. A text cell that a spreadsheet would read as a
/// formula (starting with =, +, -, @, tab or CR) gets a leading apostrophe.
/// </summary>
public static class CsvExport
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static async Task WriteCouponsAsync(IAsyncEnumerable<CouponExportRow> rows, TimeZoneInfo zone, Stream output, CancellationToken ct)
    {
        await using var w = Writer(output);
        await w.WriteAsync("coupon_id,code,customer_id,external_id,issued_on,issued_at_store,valid_till,redemptions,revoked\r\n");
        await foreach (var r in rows.WithCancellation(ct))
            await w.WriteAsync(Line(r.Id, Text(r.Code), r.CustomerId, Text(r.ExternalId), Time(r.IssuedOn, zone), Text(r.IssuedAtStore),
                Time(r.ValidTill, zone), r.NumRedemptions, r.Revoked ? "true" : "false"));
    }

    public static async Task WriteRedemptionsAsync(IAsyncEnumerable<RedemptionExportRow> rows, TimeZoneInfo zone, Stream output, CancellationToken ct)
    {
        await using var w = Writer(output);
        await w.WriteAsync("redemption_id,redeemed_at,series_code,code,store,till,customer_id,external_id,bill_amount,discount_amount,transaction_number,reversed,reversed_at\r\n");
        await foreach (var r in rows.WithCancellation(ct))
            await w.WriteAsync(Line(r.Id, Time(r.RedeemedAt, zone), Text(r.SeriesCode), Text(r.Code), Text(r.StoreCode), Text(r.TillCode),
                r.CustomerId, Text(r.ExternalId), r.BillAmount, r.DiscountAmount, Text(r.TransactionNumber),
                r.ReversedAt is null ? "false" : "true", Time(r.ReversedAt, zone)));
    }

    static StreamWriter Writer(Stream output) => new(output, new UTF8Encoding(false), 64 * 1024);

    static string Line(params object?[] cells)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) line.Append(',');
            line.Append(cells[i] switch
            {
                null => "",
                decimal d => d.ToString(CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var o => o.ToString(),
            });
        }
        return line.Append("\r\n").ToString();
    }

    static string Time(DateTimeOffset? at, TimeZoneInfo zone) =>
        at is { } t ? TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) : "";

    /// <summary>A text cell: quoted when it holds a comma, quote or line break; defused when a spreadsheet would run it.</summary>
    public static string Text(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        if (s[0] is '=' or '+' or '-' or '@' or '\t' or '\r') s = "'" + s;
        return s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
