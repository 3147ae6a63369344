namespace Hatch.Web.BrowserTests;

/// <summary>The embedded default, exactly as a new user runs it, in one headless Chromium.</summary>
public sealed class BrowserFixture() : AppInBrowserFixture("hatch-browser-");
