#!/bin/bash
# `soma example vae` (issue 15): a short run on a subset of Fashion-MNIST improves the
# test ELBO well beyond the untrained model's (near -784 ln 2 = -543 nats per image: logits
# near zero), the autoencoder's reconstruction loss falls likewise, the ELBO equals
# minus (reconstruction + KL) with KL > 0, and the four figures exist.
# Usage: vae_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
fashion=/usr/share/datasets/fashion-mnist
needs_data "$fashion/t10k-images-idx3-ubyte.gz" "Fashion-MNIST (Debian package dataset-fashion-mnist)"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

"$soma" example vae --json --epochs 2 --train 3000 --test 1000 --plot "$dir" \
  >"$dir/out" 2>"$dir/err" || fail "vae failed: $(cat "$dir/err")"
elbo=$(field "$dir/out" test_elbo)
untrained=$(field "$dir/out" untrained_test_elbo)
recon=$(field "$dir/out" test_reconstruction_nats)
kl=$(field "$dir/out" test_kl_nats)
ae=$(field "$dir/out" autoencoder_test_reconstruction_nats)
ae0=$(field "$dir/out" autoencoder_untrained_reconstruction_nats)
near "$untrained" -543.4 0.1 0 "untrained ELBO (784 ln 2 for logits near 0)"
awk -v e="$elbo" -v u="$untrained" 'BEGIN { exit !(e > u + 60) }' ||
  fail "test ELBO $elbo after 2 epochs, untrained $untrained: expected 60 nats better"
awk -v k="$kl" 'BEGIN { exit !(k > 0) }' || fail "KL $kl not positive"
near "$elbo" "$(awk -v r="$recon" -v k="$kl" 'BEGIN { printf "%.9g", -(r + k) }')" 1e-6 1e-6 \
  "ELBO = -(reconstruction + KL)"
awk -v a="$ae" -v a0="$ae0" 'BEGIN { exit !(a < a0 - 100) }' ||
  fail "autoencoder test loss $ae, untrained $ae0: expected 100 nats lower"
[ "$("$json" test_elbo_per_epoch <"$dir/out" | wc -l)" = 2 ] || fail "expected 2 epochs"
for f in vae_latent vae_samples vae_reconstructions vae_loss; do
  [ -s "$dir/$f.png" ] || fail "no $f.png"
done
echo "ok: test ELBO $elbo nats per image (untrained $untrained), autoencoder $ae (untrained $ae0)"

refuses "--train 0: expected 1 to 60000" "--train 0" -- example vae --train 0
refuses "$dir/none" "a missing data folder" -- example vae --data "$dir/none"
