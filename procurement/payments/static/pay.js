// Stripe's Payment Element for a levy: the form carries the publishable key, the PaymentIntent's client secret and
// where Stripe returns the supplier to (no inline script, so the page's Content-Security-Policy can forbid it).
(function () {
  const form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") return;
  const stripe = Stripe(form.dataset.publishableKey);
  const elements = stripe.elements({clientSecret: form.dataset.clientSecret});
  elements.create("payment").mount("#payment-element");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const {error} = await stripe.confirmPayment({elements, confirmParams: {return_url: form.dataset.returnUrl}});
    if (error) document.getElementById("payment-message").textContent = error.message;
  });
})();
