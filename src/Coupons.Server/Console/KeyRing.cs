using System.Xml.Linq;
using Coupons.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Coupons.Server.WebConsole;

/// <summary>
/// The data-protection key ring kept in the service's database, so that a console cookie or anti-forgery token made by
/// one node is read by every other node sharing that database. The framework calls these rarely (at the first use and
/// when it rotates keys) and synchronously.
/// </summary>
public sealed class KeyRing(ICouponStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        store.ListDataProtectionKeysAsync().GetAwaiter().GetResult().Select(XElement.Parse).ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        store.StoreDataProtectionKeyAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();
}
