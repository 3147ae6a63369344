using System.Globalization;
using System.Text;
using Hatch.Features.Email;
using Hatch.Domain.Drafts;
using Hatch.Writing.Rendering;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Hatch.Features.Digests;

/// <summary>
/// Builds a digest's email from its draft: an HTML part (<see cref="DraftRenderer.Html(Hatch.Domain.Articles.DraftDocument, IReadOnlyList{DraftLink})"/>,
/// which encodes every piece of highlight and model text) and a plain-text part (<see cref="DraftRenderer.PlainText"/>: title,
/// overview, sections, advice and citations as numbered notes with each highlight's source), both ending with links
/// to the draft and the digest settings, and the RFC 8058 one-click unsubscribe headers.
/// </summary>
public sealed class DigestEmailComposer(IOptions<EmailOptions> options, IDigestLinkSigner signer)
{
    public MimeMessage Compose(Draft draft, string toAddress, string messageId)
    {
        var o = options.Value;
        var links = LinksFor(draft.Id, draft.UserId);
        var document = draft.ToDocument();

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(o.From!));
        message.To.Add(MailboxAddress.Parse(toAddress));
        // The title is the reader's own highlights rewritten: a header line, so no line breaks survive into it.
        message.Subject = "Your Hatch digest: " + string.Join(' ', draft.Title.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        message.MessageId = messageId;
        message.Headers.Add("List-Unsubscribe", $"<{links.Unsubscribe}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");

        var text = new StringBuilder(DraftRenderer.PlainText(document)).AppendLine().AppendLine("---");
        text.AppendLine(CultureInfo.InvariantCulture, $"Open the draft in Hatch: {links.Draft}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Digest settings: {links.Settings}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Stop these emails: {links.Unsubscribe}");
        var body = new BodyBuilder
        {
            TextBody = text.ToString(),
            HtmlBody = DraftRenderer.Html(document,
            [
                new DraftLink("Open the draft in Hatch", links.Draft),
                new DraftLink("Digest settings", links.Settings),
                new DraftLink("Stop these emails", links.Unsubscribe),
            ]),
        };
        message.Body = body.ToMessageBody();
        return message;
    }

    public DigestLinks LinksFor(Guid draftId, string userId)
    {
        var site = options.Value.SiteUrl.TrimEnd('/');
        return new DigestLinks(
            $"{site}/Drafts/{draftId}",
            $"{site}/Digests",
            $"{site}/Digests/Unsubscribe?token={Uri.EscapeDataString(signer.SignUnsubscribe(userId))}");
    }
}

public sealed record DigestLinks(string Draft, string Settings, string Unsubscribe);
