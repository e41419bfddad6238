/* test_ruby.c - the gemspec analyzer (src/analyze/ruby.c). No Ruby is
 * installed on the build machine, so the inputs are gemspecs in the exact
 * shape Gem::Specification#to_ruby writes (RubyGems 3.x, as installed under
 * usr/lib/ruby/gems/3.1.0/specifications and by Debian's gem2deb under
 * usr/share/rubygems-integration/all/specifications), plus older and
 * hand-written forms. */
#include "lang_helpers.h"

extern const comb_analyzer comb_analyzer_ruby;
#define A (&comb_analyzer_ruby)

static const char rake_gemspec[] =
    "# -*- encoding: utf-8 -*-\n"
    "# stub: rake 13.0.6 ruby lib\n"
    "\n"
    "Gem::Specification.new do |s|\n"
    "  s.name = \"rake\".freeze\n"
    "  s.version = \"13.0.6\"\n"
    "\n"
    "  s.required_rubygems_version = Gem::Requirement.new(\">= 1.3.2\".freeze) if s.respond_to? :required_rubygems_version=\n"
    "  s.metadata = { \"bug_tracker_uri\" => \"https://github.com/ruby/rake/issues\", \"changelog_uri\" => \"https://github.com/ruby/rake/blob/v13.0.6/History.rdoc\" } if s.respond_to? :metadata=\n"
    "  s.require_paths = [\"lib\".freeze]\n"
    "  s.authors = [\"Hiroshi SHIBATA\".freeze, \"Eric Hodel\".freeze, \"Jim Weirich\".freeze]\n"
    "  s.bindir = \"exe\".freeze\n"
    "  s.date = \"2021-07-09\"\n"
    "  s.description = \"Rake is a Make-like program implemented in Ruby. Tasks and dependencies are\\nspecified in standard Ruby syntax.\".freeze\n"
    "  s.email = [\"hsbt@ruby-lang.org\".freeze, \"drbrain@segment7.net\".freeze, \"\".freeze]\n"
    "  s.executables = [\"rake\".freeze]\n"
    "  s.files = [\"exe/rake\".freeze]\n"
    "  s.homepage = \"https://github.com/ruby/rake\".freeze\n"
    "  s.licenses = [\"MIT\".freeze]\n"
    "  s.rdoc_options = [\"--main\".freeze, \"README.rdoc\".freeze]\n"
    "  s.required_ruby_version = Gem::Requirement.new(\">= 2.2\".freeze)\n"
    "  s.rubygems_version = \"3.3.5\".freeze\n"
    "  s.summary = \"Rake is a Make-like program implemented in Ruby\".freeze\n"
    "\n"
    "  s.installed_by_version = \"3.3.5\" if s.respond_to? :installed_by_version\n"
    "end\n";

/* Debian, usr/share/rubygems-integration/all/specifications/rack-2.2.4.gemspec
 * (gem2deb; dual licence, dependency block). */
static const char rack_gemspec[] =
    "# -*- encoding: utf-8 -*-\n"
    "# stub: rack 2.2.4 ruby lib\n"
    "\n"
    "Gem::Specification.new do |s|\n"
    "  s.name = \"rack\".freeze\n"
    "  s.version = \"2.2.4\"\n"
    "\n"
    "  s.required_rubygems_version = Gem::Requirement.new(\">= 0\".freeze) if s.respond_to? :required_rubygems_version=\n"
    "  s.require_paths = [\"lib\".freeze]\n"
    "  s.authors = [\"Leah Neukirchen\".freeze]\n"
    "  s.licenses = [\"MIT\".freeze, \"Ruby\".freeze]\n"
    "\n"
    "  if s.respond_to? :specification_version then\n"
    "    s.specification_version = 4\n"
    "  end\n"
    "\n"
    "  if s.respond_to? :add_runtime_dependency then\n"
    "    s.add_development_dependency(%q<minitest>.freeze, [\"~> 5.0\"])\n"
    "  else\n"
    "    s.add_dependency(%q<minitest>.freeze, [\"~> 5.0\"])\n"
    "  end\n"
    "end\n";

static void test_wants(void)
{
    static const char *yes[] = {
        "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec",
        "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
        "usr/share/rubygems-integration/all/specifications/rack-2.2.4.gemspec",
        "var/lib/gems/3.1.0/specifications/nokogiri-1.15.4-x86_64-linux.gemspec",
        "usr/local/bundle/specifications/puma-6.4.0.gemspec",
        "specifications/x-1.gemspec",
    };
    static const char *no[] = {
        "usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/rake.gemspec",
        "app/rake.gemspec",
        "x.gemspec",
        "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec.bak",
        "usr/lib/ruby/gems/3.1.0/specifications/.gemspec",
        "usr/lib/ruby/gems/3.1.0/myspecifications/a.gemspec",
        "usr/lib/ruby/gems/3.1.0/specifications/other/a.gemspec",
        "usr/lib/ruby/gems/3.1.0/specifications/default/x/a.gemspec",
        "usr/lib/ruby/gems/3.1.0/xspecifications/default/a.gemspec",
    };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (wants_path(A, yes[i]) != COMB_WANT_BUFFER)
            fprintf(stderr, "  should want %s\n", yes[i]);
        CHECK_INT(wants_path(A, yes[i]), COMB_WANT_BUFFER);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        if (wants_path(A, no[i]) != COMB_WANT_NO)
            fprintf(stderr, "  should not want %s\n", no[i]);
        CHECK_INT(wants_path(A, no[i]), COMB_WANT_NO);
    }
}

static void test_rake(void)
{
    run r;
    run_str(&r, A, "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec", rake_gemspec);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 1);
    const comb_pkg *p = pkg_at(&r, 0);
    if (p) {
        CHECK_INT(p->type, COMB_PKG_GEM);
        CHECK_STR(p->name, "rake");
        CHECK_STR(p->version, "13.0.6");
        CHECK_STR(p->license, "MIT");
        CHECK_STR(p->maintainer, "Hiroshi SHIBATA, Eric Hodel, Jim Weirich");
    }
    run_free(&r);
}

static void test_rack_debian(void)
{
    run r;
    run_str(&r, A, "usr/share/rubygems-integration/all/specifications/rack-2.2.4.gemspec",
            rack_gemspec);
    CHECK_INT(r.rc, COMB_OK);
    const comb_pkg *p = pkg_at(&r, 0);
    CHECK(p != NULL && npkgs(&r) == 1);
    if (p) {
        CHECK_STR(p->name, "rack");
        CHECK_STR(p->version, "2.2.4");
        CHECK_STR(p->license, "MIT OR Ruby");
        CHECK_STR(p->maintainer, "Leah Neukirchen");
    }
    run_free(&r);
}

static void test_other_forms(void)
{
    run r;
    /* hand-written style: other block variable, single quotes, license = */
    run_str(&r, A, "vendor/bundle/ruby/3.2.0/specifications/foo-0.3.1.gemspec",
            "Gem::Specification.new do |spec|\n"
            "  spec.name          = 'foo'\n"
            "  spec.version       = '0.3.1'\n"
            "  spec.authors       = ['O\\'Brien']\n"
            "  spec.license       = 'Apache-2.0'\n"
            "  s.name = 'not-the-block-variable'\n"
            "end\n");
    CHECK_INT(r.rc, COMB_OK);
    const comb_pkg *p = pkg_at(&r, 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->name, "foo");
        CHECK_STR(p->version, "0.3.1");
        CHECK_STR(p->license, "Apache-2.0");
        CHECK_STR(p->maintainer, "O'Brien");
    }
    run_free(&r);

    /* RubyGems 1.x: %q{} literals, Gem::Version wrapper, brace block */
    run_str(&r, A, "var/lib/gems/1.8/specifications/rack-1.1.0.gemspec",
            "Gem::Specification.new { |gem|\n"
            "  gem.name = %q{rack}\n"
            "  gem.version = Gem::Version.new(\"1.1.0\")\n"
            "  gem.licenses = [%q{MIT}]\n"
            "}\n");
    p = pkg_at(&r, 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->name, "rack");
        CHECK_STR(p->version, "1.1.0");
        CHECK_STR(p->license, "MIT");
    }
    run_free(&r);

    /* computed version: fall back to the stub comment */
    run_str(&r, A, "specifications/bar-2.0.gemspec",
            "# stub: bar 2.0 ruby lib\n"
            "Gem::Specification.new do |s|\n"
            "  s.name = \"bar\"\n"
            "  s.version = Bar::VERSION\n"
            "end\n");
    CHECK_INT(r.rc, COMB_OK);
    p = pkg_at(&r, 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->name, "bar");
        CHECK_STR(p->version, "2.0");
        CHECK(p->license == NULL);
    }
    run_free(&r);

    /* computed without a stub: an error, no record */
    run_str(&r, A, "specifications/baz.gemspec",
            "Gem::Specification.new do |s|\n  s.name = \"baz\"\n"
            "  s.version = \"#{Baz::V}\"\nend\n");
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
}

static void test_hostile(void)
{
    run r;
    /* truncated inside the version literal: stub still gives it */
    size_t cut = (size_t)(strstr(rake_gemspec, "13.0.6\"\n") - rake_gemspec) + 3;
    run_on(&r, A, "specifications/rake.gemspec", rake_gemspec, cut);
    CHECK_INT(r.rc, COMB_OK);
    if (npkgs(&r) == 1)
        CHECK_STR(pkg_at(&r, 0)->version, "13.0.6");
    run_free(&r);
    /* truncated, no stub, unterminated string at the very end */
    run_str(&r, A, "specifications/x.gemspec", "Gem::Specification.new do |s|\n s.name = \"x");
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    run_str(&r, A, "specifications/x.gemspec", "s.name = %q");
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    run_on(&r, A, "specifications/x.gemspec", "", 0);
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    /* huge string literal */
    size_t n = 3u << 20;
    char *b = malloc(n + 64);
    size_t off = (size_t)sprintf(b, "s.version = \"1\"\ns.name = \"");
    memset(b + off, 'n', n - off - 2);
    b[n - 2] = '"';
    b[n - 1] = '\n';
    run_on(&r, A, "specifications/x.gemspec", b, n);
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    /* very many list elements */
    off = (size_t)sprintf(b, "s.name = \"x\"\ns.version = \"1\"\ns.licenses = [");
    while (off < n - 10)
        off += (size_t)sprintf(b + off, "\"M\",");
    b[off++] = ']';
    run_on(&r, A, "specifications/x.gemspec", b, off);
    CHECK_INT(r.rc, COMB_OK);
    if (npkgs(&r) == 1)
        CHECK(pkg_at(&r, 0)->license == NULL);
    run_free(&r);
    /* garbage */
    fill_random((uint8_t *)b, n, 99);
    run_on(&r, A, "specifications/x.gemspec", b, n);
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    free(b);
}

int main(void)
{
    RUN(test_wants);
    RUN(test_rake);
    RUN(test_rack_debian);
    RUN(test_other_forms);
    RUN(test_hostile);
    return test_summary();
}
