#!/usr/bin/perl
# ossl_collect.pl SRCDIR: run OpenSSL's own test/recipes/25-test_verify.t
# with its test framework replaced, and print every verification it makes
# as one JSON object a line:
#	{"n":N,"name":"...","args":["-trusted","F",...,"CERT"],"expect":1|0,
#	 "raw":0|1}
# "expect" is the suite's verdict for the command (1: openssl verify
# succeeds). Nothing is run: run() reports success, so the value ok() gets
# is the suite's expectation itself (ok(verify(...)) wants success,
# ok(!verify(...)) wants failure, an exit_checker for status 2 wants
# failure). ok() calls that follow no run() are counted as "other" checks.
# The recipe's files (certs, keys) are read from SRCDIR; files it writes
# go to the current directory.
use strict;
use warnings;

my $src = shift or die "usage: $0 SRCDIR\n";
my $recipe = "$src/test/recipes/25-test_verify.t";
open(my $fh, '<', $recipe) or die "$recipe: $!\n";
my $code = do { local $/; <$fh> };
close($fh);
# The framework is ours: drop its imports, keep everything else verbatim.
$code =~ s/^use OpenSSL::Test\b.*?;\s*$//mg
    or die "$recipe: no 'use OpenSSL::Test' line: the recipe changed\n";
$code =~ s/^use OpenSSL::Test::Utils;\s*$//mg;

my @pending;		# runs since the last ok()
my $n = 0;
my $others = 0;
our $checker;		# with({exit_checker => ...})

sub json_str {
	my ($s) = @_;
	$s =~ s/(["\\])/\\$1/g;
	$s =~ s/([\x00-\x1f])/sprintf("\\u%04x", ord($1))/ge;
	return "\"$s\"";
}

package main;
no warnings 'redefine';
sub setup { }
sub plan { }
sub note { }
sub diag { }
sub srctop_file { return join('/', $src, @_); }
sub srctop_dir { return join('/', $src, @_); }
sub bldtop_dir { return join('/', $src, @_); }
sub data_file { return join('/', $src, @_); }
# What Debian's OpenSSL 3.0 builds: no FIPS provider here, SM2 disabled.
sub disabled { my ($what) = @_; return $what =~ /^(fips|sm2)$/ ? 1 : 0; }
sub app { return { args => $_[0] }; }
sub test { return { args => $_[0], notapp => 1 }; }
sub run {
	my ($cmd, %opts) = @_;
	my @a = @{$cmd->{args}};
	if (!$cmd->{notapp} && @a >= 2 && $a[0] eq 'openssl' &&
	    $a[1] eq 'verify') {
		push(@pending, [@a[2 .. $#a]]);
		${$opts{statusvar}} = 1 if $opts{statusvar};
		return $checker ? $checker->(0) : 1;
	}
	${$opts{statusvar}} = 0 if $opts{statusvar};
	return 0;
}
sub with {
	my ($o, $sub) = @_;
	local $checker = $o->{exit_checker};
	$sub->();
}
sub ok {
	my ($v, $name) = @_;
	$name //= "unnamed";
	if (!@pending) {
		$others++;
		return 1;
	}
	# The recipe runs one verification per ok().
	my $args = pop(@pending);
	@pending = ();
	$n++;
	printf("{\"n\":%d,\"name\":%s,\"args\":[%s],\"expect\":%d}\n", $n,
	    json_str($name), join(',', map { json_str($_) } @$args),
	    $v ? 1 : 0);
	return 1;
}
sub ok_nofips { return ok(@_); }
sub is { return ok($_[0] eq $_[1], $_[2]); }
sub skip {
	my ($why, $count) = @_;
	printf("{\"skipped_block\":%s,\"count\":%d}\n", json_str($why),
	    $count // 1);
	no warnings 'exiting';
	last SKIP;
}

eval "no strict; no warnings; $code; 1" or die "running $recipe: $@\n";
printf("{\"others\":%d}\n", $others);
