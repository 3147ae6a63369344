using System.Xml.Linq;
using Hatch.Data;
using Hatch.Features.Sync;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hatch.Web.Infrastructure;

/// <summary>
/// ASP.NET Core Data Protection with its key ring in Hatch's own database (table <c>data_protection_keys</c>), under
/// one application name: every web and worker process of a deployment then reads the same keys, so a token one
/// process encrypted is decrypted by any other, and sign-in tokens survive a restart or a move to another machine.
/// </summary>
/// <remarks>
/// A small <see cref="IXmlRepository"/> over the DbContext rather than Microsoft.AspNetCore.DataProtection.EntityFrameworkCore,
/// whose context interface would put ASP.NET Core into Hatch.Data (the architecture tests keep it out).
/// </remarks>
public static class DataProtectionSetup
{
    public const string ApplicationName = "Hatch";

    public static IHostApplicationBuilder AddHatchDataProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IServiceScopeFactory>((options, scopes) => options.XmlRepository = new DatabaseXmlRepository(scopes));
        builder.Services.AddSingleton<IConnectionTokenProtector, DataProtectionTokenProtector>();
        builder.Services.AddSingleton<Hatch.Features.Digests.IDigestLinkSigner, DigestLinkSigner>();
        return builder;
    }

    private sealed class DatabaseXmlRepository(IServiceScopeFactory scopes) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements()
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HatchDbContext>();
            db.DataProtectionKeys.Add(new DataProtectionKeyRow { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
            db.SaveChanges();
        }
    }

    /// <summary>Connection tokens under their own purpose, so no other protected payload can be passed off as one.</summary>
    private sealed class DataProtectionTokenProtector(IDataProtectionProvider provider) : IConnectionTokenProtector
    {
        private readonly IDataProtector _protector = provider.CreateProtector("Hatch.Connections.Token.v1");

        public string Protect(string token) => _protector.Protect(token);

        public string Unprotect(string protectedToken) => _protector.Unprotect(protectedToken);
    }

    /// <summary>
    /// Unsubscribe tokens under their own purpose: authenticated encryption of the reader's id, so a token cannot be
    /// forged or turned into another reader's, and any process of the deployment (same key ring) accepts it.
    /// </summary>
    private sealed class DigestLinkSigner(IDataProtectionProvider provider) : Hatch.Features.Digests.IDigestLinkSigner
    {
        private readonly IDataProtector _protector = provider.CreateProtector("Hatch.Digests.Unsubscribe.v1");

        public string SignUnsubscribe(string userId) => _protector.Protect(userId);

        public string? VerifyUnsubscribe(string token)
        {
            try
            {
                return string.IsNullOrWhiteSpace(token) ? null : _protector.Unprotect(token);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                return null; // not a token Hatch made: the caller answers "not a valid link"
            }
        }
    }
}
