import { data } from "react-router";

// Any other URL: a real 404 (rendered by the root error boundary).
export const loader = () => {
  throw data({ message: "This page does not exist." }, { status: 404 });
};

export default function NotFound() {
  return null;
}
