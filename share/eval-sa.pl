# sa.pl learn|check DIR: SpamAssassin through its Perl API, local tests
# only, Bayes in DIR.  learn reads "label<TAB>path" lines; check reads
# paths and writes "class<TAB>score".
use strict;
use warnings;
use Mail::SpamAssassin;

my ($mode, $dir) = @ARGV;
my $sa = Mail::SpamAssassin->new({
	local_tests_only => 1,
	dont_copy_prefs => 1,
	userstate_dir => "$dir/state",
	userprefs_filename => "$dir/user_prefs",
	post_config_text => "use_bayes 1\nbayes_path $dir/bayes\n" .
	    "bayes_auto_learn 0\nbayes_auto_expire 0\n",
});
$sa->init(1);
$sa->init_learner({ caller_will_untie => 1 }) if $mode eq 'learn';
while (my $line = <STDIN>) {
	chomp $line;
	my ($label, $path) = $mode eq 'learn' ?
	    split(/\t/, $line, 2) : ('', $line);
	open(my $fh, '<', $path) or die "$path: $!\n";
	my @msg = <$fh>;
	close($fh);
	my $mail = $sa->parse(\@msg);
	if ($mode eq 'learn') {
		$sa->learn($mail, undef, $label eq 'spam', 0)->finish();
	} else {
		my $st = $sa->check($mail);
		printf "%s\t%.3f\n", $st->is_spam() ? 'spam' : 'ham',
		    $st->get_score();
		$st->finish();
	}
	$mail->finish();
}
if ($mode eq 'learn') {
	$sa->rebuild_learner_caches();
	$sa->finish_learner();
}
$sa->finish();
